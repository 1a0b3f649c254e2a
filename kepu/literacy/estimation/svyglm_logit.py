"""R's ``svyciprop(method="logit")`` reproduced step by step.

R fits ``svyglm(y ~ 1, family=quasibinomial)`` by iteratively reweighted least squares and stops at
a relative deviance change below 1e-8, so its interval is not exactly the logit interval at the
sample proportion (that one is :func:`proportion_ci` with ``"logit"``, equal to R's ``"xlogit"``).
This module follows ``glm.fit`` (start ``mustart = (w y + 0.5)/(w + 1)`` with weights scaled to
mean 1, the same updates and stopping rule) and ``svy.varcoef`` (sandwich with the working weights
of the last step), giving R's numbers to rounding. Intercept-only models make every step after
the first a closed form, so all domains and variables are done at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._groups import FloatArray, domain_codes, indicator
from .design import Design
from .estimators import as_matrix, domain_facts, domain_sums, score_totals
from .intervals import _t_quantile
from .variance import taylor_variance

GLM_EPSILON = 1e-8  # glm.control()$epsilon
GLM_MAXIT = 25  # glm.control()$maxit


def svyciprop_logit(
    design: Design, y: ArrayLike, domain: ArrayLike | None = None, *, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Logit confidence limits exactly as R's ``svyciprop(~y, design, method="logit")``.

    With ``domain``, the limits of ``svyby(~y, ~domain, design, svyciprop, method="logit")``,
    shaped (D, p) like :func:`by_domain`'s results. ``y`` must hold 0/1 values.
    """
    n = design.n_rows
    ym = as_matrix(y, n)
    if np.any((ym != 0) & (ym != 1)):
        from .errors import EstimationError

        raise EstimationError("logit 区间要求 0/1 变量", "the logit interval needs 0/1 variables")
    if domain is None:
        codes = np.zeros(n, dtype=np.intp)
        n_dom = 1
    else:
        codes, labels = domain_codes(domain, n)
        n_dom = labels.size
    facts = domain_facts(design, codes, n_dom, domain is None)
    w = design.weights
    # svyglm's prior weights: sampling weights divided by their mean over the (domain) design.
    with np.errstate(divide="ignore", invalid="ignore"):
        pw = w / (facts.weight / facts.n_rows)[codes]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fit = _irls(ym, pw, codes, n_dom)
    # svy.varcoef: scores (y - mu) / (mu (1 - mu)) times the last step's working weights
    # pw * m (1 - m), over their sum; m is glm's starting mu0 when the first step converged.
    m = np.where(fit.first_step[codes], fit.mu0, fit.mu_prev[codes])
    per_weight = (facts.n_rows / facts.weight)[codes]  # pw / w
    denom = fit.mu * (1 - fit.mu) * fit.working_sum
    z = (ym - fit.mu[codes]) * (per_weight[:, None] * m * (1 - m)) / denom[codes]
    z = np.ascontiguousarray(np.where(w[:, None] > 0, z, 0.0))
    sums = domain_sums(design, codes, n_dom, z, np.ones((n, 1)))
    ones = np.ones_like(fit.beta)
    var = taylor_variance(design, score_totals(sums, ones, 0 * ones, facts.present, facts.present_ssu))
    t = _t_quantile(1 - (1 - level) / 2, np.broadcast_to(facts.df[:, None], fit.beta.shape))
    half = t * np.sqrt(var.reshape(fit.beta.shape))
    low, high = special.expit(fit.beta - half), special.expit(fit.beta + half)
    if domain is None:
        return low[0], high[0]
    keep = facts.n > 0
    return low[keep], high[keep]


@dataclass(frozen=True, eq=False)
class _Fit:
    beta: FloatArray  # (D, p) final coefficient (logit scale)
    mu: FloatArray  # (D, p) expit(beta)
    mu_prev: FloatArray  # (D, p) mu before the last step (NaN where the first step converged)
    mu0: FloatArray  # (n, p) glm's starting values
    first_step: NDArray[np.bool_]  # (D, p) converged at the first step
    working_sum: FloatArray  # (D, p) sum of the last step's working weights


def _irls(y: FloatArray, pw: FloatArray, codes: NDArray[np.intp], n_dom: int) -> _Fit:
    """glm.fit's iterations for every (domain, variable) at once."""
    pwg = np.where(pw > 0, pw, 0.0)[:, None]
    by_dom = indicator(codes, n_dom)
    mu0 = special.expit(np.log(((pwg * y + 0.5) / (pwg + 1)) / (1 - (pwg * y + 0.5) / (pwg + 1))))
    eta0 = np.log(mu0 / (1 - mu0))
    w2 = pwg * mu0 * (1 - mu0)
    a = np.asarray(by_dom @ w2)
    beta = np.asarray(by_dom @ (w2 * eta0 + pwg * (y - mu0))) / a
    dev_old = np.asarray(by_dom @ (pwg * _deviance(y, mu0)))
    s1 = np.asarray(by_dom @ (pwg * y))
    s0 = np.asarray(by_dom @ (pwg * (1 - y)))
    mu = special.expit(beta)
    dev = -2 * (_xlogy(s1, mu) + _xlogy(s0, 1 - mu))
    converged = np.abs(dev - dev_old) / (np.abs(dev) + 0.1) < GLM_EPSILON
    first_step = converged.copy()
    mu_prev = np.full_like(mu, np.nan)
    ybar = s1 / (s1 + s0)
    for _ in range(GLM_MAXIT - 1):
        todo = ~converged
        if not todo.any():
            break
        mu_prev = np.where(todo, mu, mu_prev)
        with np.errstate(divide="ignore", invalid="ignore"):
            beta = np.where(todo, beta + (ybar - mu) / (mu * (1 - mu)), beta)
        new_mu = special.expit(beta)
        new_dev = -2 * (_xlogy(s1, new_mu) + _xlogy(s0, 1 - new_mu))
        converged |= todo & (np.abs(new_dev - dev) / (np.abs(new_dev) + 0.1) < GLM_EPSILON)
        mu = np.where(todo, new_mu, mu)
        dev = np.where(todo, new_dev, dev)
    working_sum = np.where(first_step, a, (s1 + s0) * mu_prev * (1 - mu_prev))
    return _Fit(beta=beta, mu=mu, mu_prev=mu_prev, mu0=mu0, first_step=first_step, working_sum=working_sum)


def _xlogy(x: FloatArray, y: FloatArray) -> FloatArray:
    return np.asarray(special.xlogy(x, y), dtype=np.float64)


def _deviance(y: FloatArray, mu: FloatArray) -> FloatArray:
    return np.asarray(-2 * (special.xlogy(y, mu) + special.xlogy(1 - y, 1 - mu)), dtype=np.float64)
