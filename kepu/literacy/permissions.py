"""Actions of this domain and who may do them in which data scope."""
