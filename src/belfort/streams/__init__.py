"""Live streams: sensors, their observations, and the one durable write path under every
ingest channel (HTTP batch, MQTT, FIWARE IoT Agent forms, SensorThings, pollers).

- ``model.py``: what a channel hands over (``ObservationIn``) and gets back (``BatchResult``)
- ``sensors.py``: registration, credentials (hashed), authentication, refusals recorded
- ``write.py``: checks, the per-device rate limit, the durable insert without duplicates
- ``read.py``: observations back out of the hot store
- ``live.py``: live datasets — where their rows come from (``LiveSource``, ``LiveRegistry``)
"""
