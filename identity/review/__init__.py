"""The review workflow: the queue of match suggestions, reviewers' decisions (merge, cannot-link,
escalation), undoing a merge, second opinions, statistics and the labels they give the model."""
