from . import test_signature
from . import test_secrets_and_ledger
