from . import test_flows_and_kpis
from . import test_exception_actions
from . import test_alerts
from . import test_retention
from . import test_metrics
from . import test_access
from . import test_trace
from . import test_audit_labels
