{
    "name": "Retail Connector: Store POS",
    "summary": "Store tickets, tenders and returns from an external cloud POS "
    "(not functional yet: see ROADMAP)",
    "version": "18.0.1.0.0",
    "category": "Connector",
    "author": "Retail Connector Contributors",
    "maintainers": ["retail-connector"],
    "license": "AGPL-3",
    "installable": True,
    "depends": ["retail_connector_base", "point_of_sale"],
    "data": [],
}
