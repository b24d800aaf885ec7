kind: Template
