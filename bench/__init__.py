"""`make bench`: reportflow measured side by side with small, honest reference stacks."""
