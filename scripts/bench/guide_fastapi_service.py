"""The guide's lead-scoring service (FastAPI + scikit-learn), as the comparison for `npm run bench:serve`.

Usage: /usr/bin/python3 scripts/bench/guide_fastapi_service.py <csv> <pickle> <port>
Trains the guide's pipeline (DictVectorizer + LogisticRegression on lead_source,
number_of_courses_viewed, annual_income) into <pickle> if it does not exist, then serves
POST /predict with uvicorn on 127.0.0.1:<port>, one worker, as the guide does.
"""
import os
import pickle
import sys

import pandas as pd
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

FEATURES = ["lead_source", "number_of_courses_viewed", "annual_income"]


def train(csv_path, pickle_path):
    df = pd.read_csv(csv_path)
    df["lead_source"] = df["lead_source"].fillna("NA")
    df[["number_of_courses_viewed", "annual_income"]] = df[["number_of_courses_viewed", "annual_income"]].fillna(0)
    pipeline = make_pipeline(DictVectorizer(), LogisticRegression(solver="liblinear", C=1.0))
    pipeline.fit(df[FEATURES].to_dict(orient="records"), df["converted"])
    with open(pickle_path + ".tmp", "wb") as f:
        pickle.dump(pipeline, f)
    os.replace(pickle_path + ".tmp", pickle_path)


class Lead(BaseModel):
    lead_source: str
    number_of_courses_viewed: int
    annual_income: float


def main():
    csv_path, pickle_path, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if not os.path.exists(pickle_path):
        train(csv_path, pickle_path)
    with open(pickle_path, "rb") as f:
        pipeline = pickle.load(f)

    app = FastAPI(title="lead-scoring")

    @app.post("/predict")
    def predict(lead: Lead):
        probability = pipeline.predict_proba(lead.model_dump() if hasattr(lead, "model_dump") else lead.dict())[0, 1]
        return {"probability": float(probability), "converted": bool(probability >= 0.5)}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
