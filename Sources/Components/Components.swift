// Components: the seed components.
