"""From many results to one cause: correlation rules, impact ranking, early verdict."""
