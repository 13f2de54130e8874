"""Operations: the production server (`nic1000 serve`), /healthz, request ids and JSON logs."""
