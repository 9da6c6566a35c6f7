"""Result objects to Altair specs, built from aggregated, bounded data only."""
