"""Access requests and the grants they become when approved."""
