print("medikeep-jobs")
