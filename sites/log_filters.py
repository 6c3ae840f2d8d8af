"""A logging filter that keeps invitation links out of logs.

The path of the accept page carries the invitation's secret token, and Django logs
the path of every 4xx and 5xx answer (`Not Found: /invitations/<token>/`). This
filter rewrites such records before any handler sees them. It imports no models:
logging is configured before the apps are loaded."""

import logging
import re

_INVITATION_PATH = re.compile(r"/invitations/[^/\s\"'<>]+")
REDACTED = "/invitations/[redacted]"


def redact_invitation_links(text: str) -> str:
    return _INVITATION_PATH.sub(REDACTED, text)


class RedactInvitationLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_invitation_links(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
