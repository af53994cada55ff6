{
    "name": "Retail Connector: Accounting Platform",
    "summary": "Summarised postings to QuickBooks Online (not functional yet: "
    "see ROADMAP)",
    "version": "18.0.1.0.0",
    "category": "Connector",
    "author": "Retail Connector Contributors",
    "maintainers": ["retail-connector"],
    "license": "AGPL-3",
    "installable": True,
    "depends": ["retail_connector_base", "account"],
    "data": [],
}
