//! bamboo-report: charts and tables rendered to strings. No I/O.
