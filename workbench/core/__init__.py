"""Qt-free core: plugin manifests, config schema, the run driver, mailbox, sinks and the CLI."""
