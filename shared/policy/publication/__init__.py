"""Counties publish their own dated parameters: an officer proposes, a second approves (four
eyes), and the published set is immutable; decisions then use it and cite it."""
