"""GitHub ingress: signature check, delivery dedupe, event → RunRequest. Never calls out."""
