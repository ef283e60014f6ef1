"""emstd: standardize traffic-emission inputs (vehicle types, pollutants, table columns) onto MOVES standard values."""

__version__ = "0.1.0"
