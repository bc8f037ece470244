"""Authentication backend: the signed-in user is read with their officer record and its unit."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class OfficerBackend(ModelBackend):
    """Django's ModelBackend, but the user of each request comes with ``officer`` and ``officer.unit`` in
    the same query: nearly every page reads the officer's scope, which cost two more queries each."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("officer__unit").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
