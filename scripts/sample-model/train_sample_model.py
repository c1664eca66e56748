#!/usr/bin/env python3
"""Trains ModelDock's sample lead-scoring model and writes it as ONNX.

Run with a python3 that has scikit-learn, pandas and onnx (Debian: python3-sklearn,
python3-pandas, python3-onnx):  npm run sample-model  (or /usr/bin/python3 <this file>).

Inputs:  assets/data/course_lead_scoring.csv (the course's lead dataset, copied into the repo)
Outputs: assets/models/lead_scoring.onnx
         assets/models/lead_scoring.sklearn-check.json  (sklearn's predict_proba for some rows,
         so tests can prove the ONNX file reproduces scikit-learn)

skl2onnx is not available from Debian, so the ONNX graph is written by hand from the fitted
pipeline, node for node the way sklearn-onnx exports a ColumnTransformer(OneHotEncoder,
StandardScaler) + LogisticRegression: OneHotEncoder -> Reshape, Cast -> Concat -> Scaler,
Concat -> LinearClassifier(LOGISTIC) -> ZipMap. The ZipMap at the end is deliberate: it is
what real exported models look like, and ModelDock has to bypass it.
"""

import hashlib
import json
import os

import numpy as np
import onnx
import pandas as pd
import sklearn
from onnx import TensorProto, helper
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "assets", "data", "course_lead_scoring.csv")
OUT_DIR = os.path.join(ROOT, "assets", "models")
CATEGORICAL = "lead_source"
NUMERIC = ["number_of_courses_viewed", "annual_income"]
TARGET = "converted"


def load_data():
    df = pd.read_csv(DATA)
    # As the course guide does: missing categories become "NA", missing numbers 0.
    df[CATEGORICAL] = df[CATEGORICAL].fillna("NA")
    for column in NUMERIC:
        df[column] = df[column].fillna(0)
    df["number_of_courses_viewed"] = df["number_of_courses_viewed"].astype(np.int64)
    df["annual_income"] = df["annual_income"].astype(np.float64)
    return df


def train(df):
    pipeline = Pipeline(
        [
            (
                "features",
                ColumnTransformer(
                    [
                        ("cat", OneHotEncoder(handle_unknown="ignore"), [CATEGORICAL]),
                        ("num", StandardScaler(), NUMERIC),
                    ]
                ),
            ),
            ("model", LogisticRegression(max_iter=1000)),
        ]
    )
    pipeline.fit(df[[CATEGORICAL] + NUMERIC], df[TARGET])
    return pipeline


def zipmap_output_type(key_type):
    """seq(map(key_type, tensor(float))): what ZipMap returns (onnx 1.12 has no make_map_type_proto)."""
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = key_type
    map_type.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT, []))
    return helper.make_sequence_type_proto(map_type)


def to_onnx(pipeline, data_sha256):
    columns = pipeline.named_steps["features"]
    encoder = columns.named_transformers_["cat"]
    scaler = columns.named_transformers_["num"]
    model = pipeline.named_steps["model"]
    categories = [str(c) for c in encoder.categories_[0]]
    k = len(categories)
    coef = model.coef_[0].astype(np.float64)
    intercept = float(model.intercept_[0])
    classes = [int(c) for c in model.classes_]

    nodes = [
        helper.make_node(
            "OneHotEncoder", [CATEGORICAL], ["lead_source_onehot3d"], domain="ai.onnx.ml",
            cats_strings=categories, zeros=1,  # zeros=1: unknown categories encode as all zeros
        ),
        helper.make_node("Reshape", ["lead_source_onehot3d", "onehot_shape"], ["lead_source_onehot"]),
        helper.make_node("Cast", ["number_of_courses_viewed"], ["courses_float"], to=TensorProto.FLOAT),
        helper.make_node("Concat", ["courses_float", "annual_income"], ["numeric"], axis=1),
        helper.make_node(
            "Scaler", ["numeric"], ["numeric_scaled"], domain="ai.onnx.ml",
            offset=[float(v) for v in scaler.mean_], scale=[float(1.0 / v) for v in scaler.scale_],
        ),
        helper.make_node("Concat", ["lead_source_onehot", "numeric_scaled"], ["features"], axis=1),
        # Binary logistic regression as sklearn-onnx writes it: two rows (-w, w) so the
        # LOGISTIC post-transform yields [1 - p, p].
        helper.make_node(
            "LinearClassifier", ["features"], ["label", "probabilities"], domain="ai.onnx.ml",
            coefficients=[float(v) for v in np.concatenate([-coef, coef])],
            intercepts=[-intercept, intercept], classlabels_ints=classes, post_transform="LOGISTIC",
        ),
        helper.make_node("Identity", ["label"], ["output_label"]),
        helper.make_node(
            "ZipMap", ["probabilities"], ["output_probability"], domain="ai.onnx.ml", classlabels_int64s=classes,
        ),
    ]
    graph = helper.make_graph(
        nodes,
        "lead_scoring",
        inputs=[
            helper.make_tensor_value_info(CATEGORICAL, TensorProto.STRING, [None, 1]),
            helper.make_tensor_value_info("number_of_courses_viewed", TensorProto.INT64, [None, 1]),
            helper.make_tensor_value_info("annual_income", TensorProto.FLOAT, [None, 1]),
        ],
        outputs=[
            helper.make_tensor_value_info("output_label", TensorProto.INT64, [None]),
            helper.make_value_info("output_probability", zipmap_output_type(TensorProto.INT64)),
        ],
        initializer=[helper.make_tensor("onehot_shape", TensorProto.INT64, [2], [-1, k])],
    )
    # Symbolic batch dimension, as sklearn-onnx names it.
    for value in list(graph.input) + [graph.output[0]]:
        value.type.tensor_type.shape.dim[0].dim_param = "N"
    model_proto = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)],
        producer_name="modeldock-sample-model",
        producer_version="1.0",
        doc_string="Lead scoring: probability that a lead converts (LogisticRegression on lead_source, "
        "number_of_courses_viewed, annual_income).",
    )
    model_proto.ir_version = 8
    model_proto.domain = "dev.modeldock.sample"
    model_proto.model_version = 1
    helper.set_model_props(
        model_proto,
        {
            "sklearn_version": sklearn.__version__,
            "training_data": "course_lead_scoring.csv",
            "training_data_sha256": data_sha256,
            "missing_values": "lead_source -> NA; number_of_courses_viewed, annual_income -> 0",
        },
    )
    onnx.checker.check_model(model_proto)
    return model_proto


def main():
    with open(DATA, "rb") as f:
        data_sha256 = hashlib.sha256(f.read()).hexdigest()
    df = load_data()
    pipeline = train(df)
    model_proto = to_onnx(pipeline, data_sha256)
    os.makedirs(OUT_DIR, exist_ok=True)
    onnx_path = os.path.join(OUT_DIR, "lead_scoring.onnx")
    onnx.save(model_proto, onnx_path)

    sample = df[[CATEGORICAL] + NUMERIC].iloc[list(range(0, 200, 10))].copy()
    guide = pd.DataFrame([{"lead_source": "organic", "number_of_courses_viewed": 5, "annual_income": 75000.0}])
    rows = pd.concat([sample, guide], ignore_index=True)
    proba = pipeline.predict_proba(rows)
    check = {
        "comment": "scikit-learn predict_proba for these rows; the ONNX file must agree within 1e-6",
        "sklearn_version": sklearn.__version__,
        "classes": [int(c) for c in pipeline.classes_],
        "categories": [str(c) for c in pipeline.named_steps["features"].named_transformers_["cat"].categories_[0]],
        "rows": [
            {
                "input": {
                    "lead_source": str(r[CATEGORICAL]),
                    "number_of_courses_viewed": int(r["number_of_courses_viewed"]),
                    "annual_income": float(r["annual_income"]),
                },
                "probabilities": [float(p) for p in proba[i]],
            }
            for i, r in rows.iterrows()
        ],
    }
    with open(os.path.join(OUT_DIR, "lead_scoring.sklearn-check.json"), "w") as f:
        json.dump(check, f, indent=1)
        f.write("\n")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes); accuracy on training data "
          f"{pipeline.score(df[[CATEGORICAL] + NUMERIC], df[TARGET]):.3f}")


if __name__ == "__main__":
    main()
