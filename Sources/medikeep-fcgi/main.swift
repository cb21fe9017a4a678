print("medikeep-fcgi")
