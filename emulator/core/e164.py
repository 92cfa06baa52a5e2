"""The E.164 number pattern every family checks numbers against: ``+``, then 7 to 15 digits, the first not 0.

No marshmallow here: the voice family's number parsing needs it at start-up, the schemas when first used.
"""

import re

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
