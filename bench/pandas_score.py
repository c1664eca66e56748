"""The pandas + scikit-learn equivalent of `modeldock score`, timed by bench/batch.ts.

Trains the guide's pipeline (DictVectorizer + LogisticRegression on lead_source,
number_of_courses_viewed, annual_income) on the lead data, then times only the scoring:
read_csv, fillna, to_dict, transform + predict_proba, to_csv.
Prints one JSON line: {"seconds": ..., "rows": ..., "maxRssKb": ...}.
"""
import json
import resource
import sys
import time

import pandas as pd
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

train_csv, in_csv, out_csv = sys.argv[1], sys.argv[2], sys.argv[3]
features = ["lead_source", "number_of_courses_viewed", "annual_income"]


def prepare(frame):
    frame["lead_source"] = frame["lead_source"].fillna("NA")
    frame["annual_income"] = frame["annual_income"].fillna(0)
    return frame


train = prepare(pd.read_csv(train_csv))
vectorizer = DictVectorizer(sparse=False)
model = LogisticRegression(max_iter=1000)
model.fit(vectorizer.fit_transform(train[features].to_dict(orient="records")), train["converted"])

started = time.perf_counter()
cpu_started = time.process_time()
frame = prepare(pd.read_csv(in_csv))
records = frame[features].to_dict(orient="records")
frame["predicted_probability"] = model.predict_proba(vectorizer.transform(records))[:, 1]
frame.to_csv(out_csv, index=False)
seconds = time.perf_counter() - started
cpu_seconds = time.process_time() - cpu_started
print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "rows": len(frame), "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
