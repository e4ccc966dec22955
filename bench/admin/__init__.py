"""The catalogue for network admins: indicators, series breaks, periods and their release."""
