"""Forecasts of hourly counts per sensor and the backtest that validates them.

``series`` reads and cleans a long ``sensor_id,timestamp,count`` file (outages, gaps,
daylight saving, bad values: all counted in a report), ``calendar`` knows public and school
holidays, ``features`` builds the model's inputs for an origin and horizon, ``model`` is
Belfort's global LightGBM model, ``baselines`` the seasonal naive and MSTL models,
``metrics`` MAE, MASE and interval coverage, and ``backtest`` runs the rolling-origin
backtest (``belfort twin backtest``). See docs/twin-forecasts.md.
"""
