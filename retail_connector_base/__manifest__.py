{
    "name": "Retail Connector Base",
    "summary": "Backends, bindings, event and call ledgers, mappings and secrets "
    "shared by the retail connectors",
    "version": "18.0.1.0.0",
    "category": "Connector",
    "author": "Retail Connector Contributors",
    "maintainers": ["retail-connector"],
    "license": "AGPL-3",
    "application": True,
    "installable": True,
    "depends": ["mail", "queue_job", "product", "stock", "account"],
    "external_dependencies": {"python": ["cryptography", "requests"]},
    "data": [
        "security/retail_connector_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "views/retail_backend_views.xml",
        "views/retail_event_views.xml",
        "views/retail_outbound_call_views.xml",
        "views/retail_mapping_views.xml",
        "views/retail_connector_menus.xml",
    ],
}
