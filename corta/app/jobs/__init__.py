"""Long jobs the app starts in the background (evaluations, merges), one at a time, recorded in the store."""
