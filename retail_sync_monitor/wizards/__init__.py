from . import retail_event_ignore_wizard
from . import retail_event_replay_wizard
from . import retail_sync_trace
