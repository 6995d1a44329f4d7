// Every buffer the iteration needs, sized once at setup so that the solve loop allocates
// nothing. Vectors live in the scaled space unless their name says "user".
#pragma once

#include "line_search.hpp"
#include "qplayer/kkt_system.hpp"
#include "qplayer/residuals.hpp"
#include "qplayer/ruiz_scaling.hpp"

namespace qplayer::detail {

struct Workspace {
  Workspace(const Problem& problem, int n_in_total)
      : n(problem.n()), n_eq(problem.n_eq()), n_in(n_in_total), evaluator(problem) {
    for (Vector* v :
         {&x, &xe, &dx, &Hx, &Hdx, &Aty, &Ctz, &grad, &x_user, &z_box_user, &cert_x, &tmp_n})
      v->setZero(n);
    for (Vector* v : {&y, &ye, &Ax, &Adx, &y_user, &cert_y, &tmp_eq}) v->setZero(n_eq);
    for (Vector* v : {&z, &ze, &Cx, &Cdx, &w, &z_all_user, &cert_z, &tmp_in, &polish_side})
      v->setZero(n_in);
    z_user.setZero(problem.n_in());
    shift_eq_user.setZero(n_eq);
    shift_in_user.setZero(problem.n_in());
    shift_box_user.setZero(n);
    rhs.setZero(n + n_eq + n_in);
    sol.setZero(n + n_eq + n_in);
    active.assign(n_in, 0);
    for (Vector* v : {&polish_x, &polish_z_box, &polish_rx}) v->setZero(n);
    for (Vector* v : {&polish_y, &polish_req}) v->setZero(n_eq);
    for (Vector* v : {&polish_z, &polish_cx}) v->setZero(problem.n_in());
    polished.assign(n_in, 2);  // matches no active set: the first attempt always runs
    line_search.reserve(n_in);
  }

  int n, n_eq, n_in;
  Vector x, y, z;                        // current iterate
  Vector xe, ye, ze;                     // proximal centre of the current subproblem
  Vector Hx, Ax, Cx, Aty, Ctz, grad, w;  // products at x; w = Cx + μ_in·ze
  Vector dx, Hdx, Adx, Cdx;              // Newton direction and its products
  Vector rhs, sol;                       // KKT right-hand side and solution
  Vector cert_x, cert_y, cert_z;         // iterate differences, infeasibility certificates
  Vector tmp_n, tmp_eq, tmp_in;          // products of the certificates
  ActiveSet active;
  // Polishing (polish.cpp), in user units: the candidate point, its residual vectors, the
  // side each row is held at (+1 upper, -1 lower, 0 free) and the set last tried.
  Vector polish_x, polish_y, polish_z, polish_z_box;
  Vector polish_rx, polish_req, polish_cx;
  Vector polish_side;
  ActiveSet polished;
  ExactLineSearch line_search;

  // User-space copies for the exact residual check and the result.
  Vector x_user, y_user, z_all_user, z_user, z_box_user;
  ResidualEvaluator evaluator;
  // The residuals the last verdict judged: a Solved result reports them as they are.
  Residuals verdict_residuals;

  // Closest-feasible phase: its row-uniform scaling, kept here because the KKT system
  // points into it, and whether the KKT system still holds those values (the next solve
  // then puts the regular scaling back).
  RuizScaling closest_scaling;
  bool kkt_holds_closest = false;
  Vector shift_eq_user, shift_in_user, shift_box_user;  // current shifts (user units)
  // The original problem with the current shifts applied. Kept across solves: a Problem
  // made per solve allocates (its sparse matrices' outer indices) even when never used,
  // and re-assigning same-sized data reuses this one's storage.
  Problem shifted;
};

}  // namespace qplayer::detail
