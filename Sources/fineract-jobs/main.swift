print("fineract-jobs")
