from . import retail_binding
from . import retail_event
from . import retail_event_audit
from . import retail_outbound_call
from . import retail_sync_monitor
from . import retail_sync_threshold
from . import retail_sync_trace_summary
