from . import test_order_data
from . import test_order_import
from . import test_access_rights
from . import test_refund_import
from . import test_inventory_push
from . import test_catalog
from . import test_fulfillment
from . import test_payouts
