"""Target computation and aggregate roll-ups (see issue: yearly targets computed by Celery)."""


def submission_changed(submission) -> None:
    """Called inside the transaction that submits, approves or reopens ``submission``.

    Recomputes at once what it touched, marks the year dirty and queues a full recompute
    after commit.
    """
