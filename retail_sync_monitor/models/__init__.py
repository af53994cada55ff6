from . import retail_event
from . import retail_event_audit
from . import retail_sync_monitor
from . import retail_sync_threshold
