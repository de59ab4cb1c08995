//! bamboo-data: readers and writers for vote tables, countries, cases and doctrines.
