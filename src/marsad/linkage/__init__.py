"""Record linkage: name normalisation, the Splink model, runs, candidate pairs, review, merges."""
