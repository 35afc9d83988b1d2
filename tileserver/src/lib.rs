//! popmap's HTTP server. Reads the store; never writes indicator data.
