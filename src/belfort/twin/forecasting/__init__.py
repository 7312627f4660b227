"""Forecasts put to work on the platform's own observations (docs/twin-forecasts.md).

``history`` reads the sensors' observations as an hourly wall-clock grid (the same cleaning
as a counts file), ``registry`` keeps the trained model versions, ``training`` trains and
registers one (``belfort twin train``), ``serving`` makes the forecasts per sensor and zone
and keeps the models' live accuracy, ``source`` gives the alerts their ``ForecastSource``,
``lease`` lets one process at a time train or refresh, ``scheduler`` runs both in a server.
"""
