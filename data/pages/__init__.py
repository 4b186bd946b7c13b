"""One read model per page, named as its layout and callbacks modules."""
