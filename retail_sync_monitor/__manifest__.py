{
    "name": "Retail Connector: Sync Monitor",
    "summary": "Health of every retail connector backend at a glance",
    "version": "18.0.1.0.0",
    "category": "Connector",
    "author": "Retail Connector Contributors",
    "maintainers": ["retail-connector"],
    "license": "AGPL-3",
    "installable": True,
    "depends": ["retail_connector_base"],
    "data": [],
}
