local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

-- Prometheus Operator: Available is True, False or Degraded (some replicas
-- unavailable); Reconciled says whether the operator could apply the spec.
local available = condition("Available")
local reconciled = condition("Reconciled")
if obj.spec ~= nil and obj.spec.paused == true then
  return {status = "Suspended", message = "Reconciliation is paused"}
end
if reconciled ~= nil and reconciled.status == "False" then
  return {status = "Degraded", message = reconciled.message or reconciled.reason or "The operator could not reconcile the resource"}
end
if available ~= nil and available.status == "Degraded" then
  return {status = "Degraded", message = available.message or "Some replicas are not available"}
end
if available ~= nil and available.status == "True" then
  return {status = "Healthy", message = "All replicas are available"}
end
if available ~= nil and available.message ~= nil then
  return {status = "Progressing", message = available.message}
end
return {status = "Progressing", message = "Waiting for the replicas to become available"}
