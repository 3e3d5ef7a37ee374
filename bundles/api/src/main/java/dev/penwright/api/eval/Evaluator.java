package dev.penwright.api.eval;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/** Scores outputs. Registered as a service with the property {@link #ID}. */
@ConsumerType
public interface Evaluator {
    String ID = "penwright.evaluator.id";

    String id();

    /** Whether this evaluator can score the input (it has the reference, plan or style it needs). */
    boolean accepts(EvaluationInput input);

    Evaluation evaluate(List<EvaluationInput> inputs);
}
