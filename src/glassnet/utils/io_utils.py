"""Where progress bars and summaries print: stdout, or the ``logging`` module when logging is not interactive.

``glassnet.config.disable_interactive_logging()`` (as in Keras) sends every
message to the logger "glassnet" at level INFO: for jobs whose output goes to
log files rather than a terminal.
"""

import logging
import sys

from glassnet import config

logger = logging.getLogger("glassnet")


def print_msg(message, line_break=True):
    """Write ``message`` to stdout (interactive logging) or log it at INFO level."""
    message = str(message)
    if config.is_interactive_logging_enabled():
        sys.stdout.write(message + "\n" if line_break else message)
        sys.stdout.flush()
    else:
        logger.info(message)


enable_interactive_logging = config.enable_interactive_logging
disable_interactive_logging = config.disable_interactive_logging
is_interactive_logging_enabled = config.is_interactive_logging_enabled
