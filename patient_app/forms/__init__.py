"""WTForms classes, one module per area. Error messages are written for people and translated."""
