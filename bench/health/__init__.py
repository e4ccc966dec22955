"""Health checks for load balancers and orchestrators: /healthz (the process is up) and
/readyz (the database and Redis answer and the schema is at the migrations' head)."""
