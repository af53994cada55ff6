from . import retail_backend
from . import retail_backend_secret
from . import retail_binding
from . import retail_event
from . import retail_outbound_call
from . import retail_tax_mapping
from . import retail_payment_mapping
from . import retail_location_mapping
