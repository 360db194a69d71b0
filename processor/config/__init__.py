"""Configuration from files: rules files, the deployment config, the bundled resources."""
