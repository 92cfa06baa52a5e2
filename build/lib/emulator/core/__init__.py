"""What every API family uses: errors, state, clock, callbacks, fixtures and auth."""
