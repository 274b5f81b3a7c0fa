"""The pseudonymised person registry: records, persons, links, review, audit."""
