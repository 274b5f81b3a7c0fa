"""The law itself: article versions of the codes, their alinéas and the penalties they state.

Reference data about offences (NATINF) names the repressing articles; this package reads those
articles. ``text`` splits an article version into alinéas, ``numbers`` reads amounts and
durations written the ways the codes write them, ``penalty_sentences`` finds the penalty
statements of an alinéa, ``resolution`` follows "des mêmes peines" / "des peines prévues à
l'article X" through the referenced article in force on the same dates. Nothing is guessed:
what is not read with confidence is returned as unread, with the reason.
"""
