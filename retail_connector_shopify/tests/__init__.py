from . import test_order_data
from . import test_order_import
